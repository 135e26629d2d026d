"""render/compile.py: the decisions about names, picklists, rules, permissions and the flow's shape."""

from __future__ import annotations

import re

import pytest

from leadsync.metadata import model as m
from leadsync.render.compile import UniqueNames, api_name, compile_spec, condition_logic
from leadsync.spec.model import Spec
from bundles import walk

from .conftest import FULL, SPEC_IDS, SPECS, bundle_of, spec_of

BASE = {
    "leadsync": 1,
    "name": "t",
    "stages": [{"value": "Lead"}, {"value": "MQL"}, {"value": "SQL"}],
    "statuses": [{"value": "New", "default": True}, {"value": "Won", "converted": True}],
}


def make(**changes) -> Spec:
    return Spec.model_validate({**BASE, **changes})


def transition(name="T", **kw):
    return {"name": name, "set": {"stage": "MQL"}, **kw}


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [("MQL", "MQL"), ("Sales Qualified Lead", "Sales_Qualified_Lead"), ("a__b--c", "a_b_c"),
     ("Präqualifiziert", "Praqualifiziert"), ("2024 cohort", "X_2024_cohort"), ("!!!", "X"), ("_x_", "x")],
)
def test_api_name(text, name):
    assert api_name(text) == name


def test_unique_names_cut_to_the_limit_and_number_collisions_case_insensitively():
    names = UniqueNames(12, taken=["lead_date"])
    assert names.claim("Lead", suffix="_Date") == "Lead_2_Date"  # the suffix stays last
    assert names.claim("A_very_long_name", suffix="_Date") == "A_very_Date"
    assert names.claim("A_very_long_name_too", suffix="_Date") == "A_ver_2_Date"
    assert names.claim("x", prefix="Check_") == "Check_x"


def test_stamp_fields_are_api_safe_unique_and_at_most_40_characters():
    long = "A very long stage value that is surely cut at forty characters"
    spec = make(
        stage_field={"stamp_dates": True},
        stages=[{"value": "MQL"}, {"value": long}, {"value": long + " too"}, {"value": "Lead Stage"}],
    )
    names = [f.full_name for f in compile_spec(spec).lead.fields if isinstance(f, m.DateTimeField)]
    assert names[0] == "MQL_Date__c"
    assert len(set(n.lower() for n in names)) == 4
    for n in names:
        assert re.fullmatch(r"[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c", n) and len(n) - 3 <= 40, n
    # "Lead Stage" would give Lead_Stage_Date__c; the stage field itself is Lead_Stage__c: no clash either way
    assert "Lead_Stage_Date__c" in names


def test_derived_names_of_the_full_spec():
    b = bundle_of(FULL)
    assert [f.full_name for f in b.lead.fields] == [
        "Lead_Stage__c", "Subscriber_Date__c", "Lead_Date__c", "MQL_Date__c", "SQL_Date__c",
        "Opportunity_Date__c", "Customer_Date__c", "Unqualified_Reason__c",
    ]
    assert [r.full_name for r in b.lead.validation_rules] == [
        "Unqualified_Reason_Required", "Lead_Stage_Forward_Only", "Status_Requires_Lead_Stage",
    ]
    assert b.flows[0].full_name == b.permission_sets[0].full_name == "acme_Lead_Lifecycle"
    assert b.flows[0].label == "acme Lead Lifecycle"
    assert [(rt.full_name, rt.label, rt.business_process) for rt in b.lead.record_types] == [
        ("Inbound", "Inbound", "Inbound Sales")
    ]


# --- picklists --------------------------------------------------------------------------------------


def test_lead_status_values_in_spec_order_with_flags():
    spec = spec_of(FULL)
    (svs,) = bundle_of(FULL).standard_value_sets
    assert svs.full_name == "LeadStatus" and svs.sorted is False
    active = [v for v in svs.values if v.is_active]
    assert [v.full_name for v in active] == [s.value for s in spec.statuses]
    assert [v.full_name for v in active if v.default] == ["New"]
    assert [v.full_name for v in active if v.converted] == ["Qualified"]
    assert next(v for v in active if v.full_name == "Bad Timing").description.startswith("Good fit")
    # renamed_from: the old value stays, inactive, so records holding it remain valid
    assert [(v.full_name, v.is_active, v.default, v.converted) for v in svs.values if not v.is_active] == [
        ("Contacted", False, False, False)
    ]


def test_stage_picklist_restricted_in_spec_order_default_flagged_history_tracked():
    stage = bundle_of(FULL).lead.field("Lead_Stage__c")
    assert isinstance(stage, m.PicklistField) and stage.restricted and stage.track_history
    assert [v.full_name for v in stage.values] == ["Subscriber", "Lead", "MQL", "SQL", "Opportunity", "Customer"]
    assert [v.full_name for v in stage.values if v.default] == ["Lead"]
    assert stage.values[2].label == "Marketing Qualified Lead"
    assert stage.values[0].description == "Opted in to receive updates."


def test_enable_history_follows_field_history_tracking():
    assert bundle_of(FULL).lead.enable_history is True
    assert compile_spec(make(stage_field={"track_history": False})).lead.enable_history is None


def test_reason_picklist_restricted_with_values_as_given():
    reason = bundle_of(FULL).lead.field("Unqualified_Reason__c")
    assert isinstance(reason, m.PicklistField) and reason.restricted and not reason.track_history
    assert [(v.full_name, v.label, v.default) for v in reason.values] == [
        ("Not Ready", "Not Ready", False), ("Not a Fit", "Not a Fit", False), ("Invalid Data", "Invalid Data", False)
    ]
    assert compile_spec(make()).lead.field("Unqualified_Reason__c") is None


# --- processes -------------------------------------------------------------------------------------


def test_default_lead_process_has_every_status():
    (bp,) = compile_spec(make()).lead.business_processes
    assert bp.full_name == "t Lead Process"
    assert [(v.full_name, v.default) for v in bp.values] == [("New", True), ("Won", False)]
    assert compile_spec(make()).lead.record_types == ()


def test_declared_processes_with_their_default_and_record_type():
    inbound, partner = bundle_of(FULL).lead.business_processes
    assert inbound.description == "Leads from the website and events. [managed by leadsync]"  # ownership.py
    assert len(inbound.values) == 7 and [v.full_name for v in inbound.values if v.default] == ["New"]
    assert [(v.full_name, v.default) for v in partner.values] == [
        ("New", False), ("Connected", True), ("Qualified", False), ("Unqualified", False)
    ]
    (rt,) = bundle_of(FULL).lead.record_types
    assert rt.active


# --- validation rules ---------------------------------------------------------------------------


def rules_of(spec):
    return {r.full_name: r for r in compile_spec(spec).lead.validation_rules}


def test_reason_rule_covers_every_status_that_requires_a_reason():
    spec = make(
        statuses=[{"value": "New", "default": True}, {"value": "Won", "converted": True},
                  {"value": "Unqualified", "requires_reason": True}, {"value": "Lost", "requires_reason": True}],
        unqualified_reasons={"values": ["A"]},
        guards={"forward_only_stages": False},
    )
    (rule,) = rules_of(spec).values()
    assert rule.formula == (  # on create, and when Status or the reason changes (issue 7: old leads stay editable)
        'AND(OR(ISNEW(), ISCHANGED(Status), ISCHANGED(Unqualified_Reason__c)), '
        'OR(ISPICKVAL(Status, "Unqualified"), ISPICKVAL(Status, "Lost")), ISBLANK(TEXT(Unqualified_Reason__c)))'
    )
    assert rule.error_display_field == "Unqualified_Reason__c"
    assert rule.error_message == "Unqualified Reason is required when Status is Unqualified, Lost."


def test_forward_only_rule_compares_ranks_with_priorvalue_and_skips_create():
    rule = rules_of(make())["Lead_Stage_Forward_Only"]
    case = 'CASE(TEXT({f}), "Lead", 1, "MQL", 2, "SQL", 3, 0)'
    assert rule.formula == (
        f"AND(NOT(ISNEW()), ISCHANGED(Lead_Stage__c), {case.format(f='Lead_Stage__c')} < "
        f"{case.format(f='PRIORVALUE(Lead_Stage__c)')})"
    )
    assert rule.error_display_field == "Lead_Stage__c"
    assert "Lead → MQL → SQL" in rule.error_message
    assert "Lead_Stage_Forward_Only" not in rules_of(make(guards={"forward_only_stages": False}))


def test_status_requires_stage_rule():
    rule = rules_of(make(guards={"status_requires_stage": "MQL"}))["Status_Requires_Lead_Stage"]
    assert rule.formula == (
        'AND(OR(ISNEW(), ISCHANGED(Status)), NOT(ISPICKVAL(Status, "New")), '
        'CASE(TEXT(Lead_Stage__c), "Lead", 1, "MQL", 2, "SQL", 3, 0) < 2)'
    )
    assert "not New" in rule.error_message and "MQL or later" in rule.error_message


def test_bypass_permission_is_honoured_by_every_guard_and_granted_by_a_permission_set():
    spec = make(guards={"status_requires_stage": "MQL", "bypass_permission": "Lifecycle_Override"},
                statuses=[*BASE["statuses"], {"value": "Junk", "requires_reason": True}],
                unqualified_reasons={"values": ["A"]})
    bundle = compile_spec(spec)
    assert len(bundle.lead.validation_rules) == 3
    for rule in bundle.lead.validation_rules:
        assert rule.formula.startswith("AND(NOT($Permission.Lifecycle_Override), "), rule.full_name
    (permission,) = bundle.custom_permissions
    assert permission.full_name == "Lifecycle_Override"
    granting = [p for p in bundle.permission_sets if p.custom_permissions]
    assert [(p.full_name, p.custom_permissions, p.field_permissions) for p in granting] == \
        [("Lifecycle_Override", ("Lifecycle_Override",), ())]
    members = bundle.members()
    assert members["CustomPermission"] == ["Lifecycle_Override"]
    assert "Lifecycle_Override" in members["PermissionSet"]
    assert not compile_spec(make()).custom_permissions  # none without the key


def test_rule_messages_fit_salesforce_limits():
    many = [{"value": f"Reason status number {i}", "requires_reason": True} for i in range(20)]
    spec = make(statuses=[*BASE["statuses"], *many], unqualified_reasons={"values": ["A"]},
                stages=[{"value": f"Stage {i} with a long name"} for i in range(20)])
    for rule in rules_of(spec).values():
        assert len(rule.error_message) <= 255 and len(rule.full_name) <= 40


# --- permission set --------------------------------------------------------------------------


@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_permission_set_covers_every_custom_field_read_only_for_stamps(path):
    b = bundle_of(path)
    (ps,) = [p for p in b.permission_sets if not p.custom_permissions]  # the bypass one grants no field
    granted = {p.field: p for p in ps.field_permissions}
    assert set(granted) == {f"Lead.{f.full_name}" for f in b.lead.fields}
    for f in b.lead.fields:
        p = granted[f"Lead.{f.full_name}"]
        assert p.readable and p.editable == (not isinstance(f, m.DateTimeField))
    assert ps.label and ps.description


# --- flow ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SPECS, ids=SPEC_IDS)
def test_flow_is_connected_and_follows_the_transitions_in_order(path):
    spec, b = spec_of(path), bundle_of(path)
    (flow,) = b.flows
    assert (flow.process_type, flow.status, flow.api_version) == ("AutoLaunchedFlow", "Active", spec.api_version)
    assert (flow.start.object, flow.start.trigger_type, flow.start.record_trigger_type) == (
        "Lead", "RecordBeforeSave", "CreateAndUpdate"
    )
    assert flow.description and flow.interview_label
    names = [e.name for e in (*flow.decisions, *flow.assignments, *flow.formulas)]
    names += [r.name for d in flow.decisions for r in d.rules]
    assert len(names) == len({n.lower() for n in names}), "element names are unique"
    for n in names:
        assert re.fullmatch(r"[A-Za-z](?:[A-Za-z0-9]|_(?!_))*", n) and len(n) <= 80 and not n.endswith("_"), n
    reached = walk(flow)
    assert set(reached) == {e.name for e in (*flow.decisions, *flow.assignments)}, "no unconnected element"
    # decisions in spec order along the main path, labelled with the transitions' names
    conditional = [t.name for t in spec.transitions if t.when or t.on != "any"]
    assert [flow.element(n).label for n in reached if isinstance(flow.element(n), m.FlowDecision)] == conditional
    for d in flow.decisions:
        (rule,) = d.rules
        assert rule.conditions and isinstance(flow.element(rule.connector), m.FlowAssignment)
    # every formula is used by an assignment
    used = {i.value.value for a in flow.assignments for i in a.items if i.value.kind == "elementReference"}
    assert {f.name for f in flow.formulas} <= used
    # distinct, deterministic positions
    spots = [(e.location_x, e.location_y) for e in (*flow.decisions, *flow.assignments)]
    assert len(set(spots)) == len(spots)


def test_main_path_visits_each_transition_then_the_stamps():
    flow = bundle_of(FULL).flows[0]
    path, name = [], flow.start.connector
    while name:  # follow the "otherwise" path: decisions' defaults and unconditional assignments
        el = flow.element(name)
        path.append(el.label)
        name = el.default_connector if isinstance(el, m.FlowDecision) else el.connector
    assert path == ["New lead", "Marketing qualified", "Sales qualified", "Converted", "Worked again",
                    "Apply: Every save", "Stamp stage dates"]


def assignment_for(flow, label):
    d = next(d for d in flow.decisions if d.label == label)
    return flow.element(d.rules[0].connector)


def test_conditions_map_to_flow_operators_and_typed_values():
    ops = ["eq", "ne", "gt", "gte", "lt", "lte", "contains"]
    when = [{"field": f"F{i}__c", "op": op, "value": v} for i, (op, v) in enumerate(zip(ops, ["x", 1, 2.5, 3, 4, 5, 7]))]
    when += [{"field": "B__c", "op": "eq", "value": True}, {"field": "N__c", "op": "is_null"},
             {"field": "M__c", "op": "not_null"}, {"changed": "status"}, {"changed": "stage"},
             {"changed": "Rating"}, {"converted": True}, {"status": "Won"}, {"stage": ["Lead", "MQL"]}]
    flow = compile_spec(make(transitions=[transition(on="update", when=when)])).flows[0]
    (rule,) = flow.decisions[0].rules
    got = [(c.left, c.operator, c.right.kind, c.right.value) for c in rule.conditions]
    assert got == [
        ("$Record.Id", "IsNull", "booleanValue", False),
        ("$Record.F0__c", "EqualTo", "stringValue", "x"),
        ("$Record.F1__c", "NotEqualTo", "numberValue", 1.0),
        ("$Record.F2__c", "GreaterThan", "numberValue", 2.5),
        ("$Record.F3__c", "GreaterThanOrEqualTo", "numberValue", 3.0),
        ("$Record.F4__c", "LessThan", "numberValue", 4.0),
        ("$Record.F5__c", "LessThanOrEqualTo", "numberValue", 5.0),
        ("$Record.F6__c", "Contains", "stringValue", "7"),
        ("$Record.B__c", "EqualTo", "booleanValue", True),
        ("$Record.N__c", "IsNull", "booleanValue", True),
        ("$Record.M__c", "IsNull", "booleanValue", False),
        ("$Record.Status", "IsChanged", "booleanValue", True),
        ("$Record.Lead_Stage__c", "IsChanged", "booleanValue", True),
        ("$Record.Rating", "IsChanged", "booleanValue", True),
        ("$Record.IsConverted", "EqualTo", "booleanValue", True),
        ("$Record.Status", "EqualTo", "stringValue", "Won"),
        ("$Record.Lead_Stage__c", "EqualTo", "stringValue", "Lead"),
        ("$Record.Lead_Stage__c", "EqualTo", "stringValue", "MQL"),
    ]
    assert rule.condition_logic == " AND ".join(str(i) for i in range(1, 17)) + " AND (17 OR 18)"


def test_on_create_any_and_or_logic():
    flow = compile_spec(make(transitions=[
        transition("C", on="create"),
        transition("A", when=[{"any": [{"status": "New"}, {"any": [{"stage": "SQL"}, {"converted": True}]}]}]),
        transition("U", on="update", when=[{"any": [{"status": "New"}, {"status": "Won"}]}, {"stage": "Lead"}]),
    ])).flows[0]
    c, a, u = (d.rules[0] for d in flow.decisions)
    assert [(x.left, x.operator, x.right.value) for x in c.conditions] == [("$Record.Id", "IsNull", True)]
    assert c.condition_logic == "and"
    assert a.condition_logic == "or" and len(a.conditions) == 3
    assert u.condition_logic == "1 AND (2 OR 3) AND 4"


@pytest.mark.parametrize(("sizes", "logic"), [([1], "and"), ([2], "or"), ([1, 1, 1], "and"), ([2, 1], "(1 OR 2) AND 3")])
def test_condition_logic(sizes, logic):
    assert condition_logic(sizes) == logic


def test_set_assigns_status_stage_through_a_rank_formula_and_typed_fields():
    flow = bundle_of(FULL).flows[0]
    items = assignment_for(flow, "Converted").items
    assert [(i.assign_to, i.value.kind, i.value.value) for i in items] == [
        ("$Record.Lead_Stage__c", "elementReference", "Stage_At_Least_Opportunity"),
        ("$Record.Became_Customer__c", "booleanValue", False),
    ]
    items = assignment_for(flow, "Worked again").items
    assert [(i.assign_to, i.value.kind, i.value.value) for i in items] == [
        ("$Record.Rating", "stringValue", "Warm"),
        ("$Record.NumberOfEmployees", "numberValue", 10.0),
        ("$Record.Description", "elementReference", "$GlobalConstant.EmptyString"),
    ]
    items = assignment_for(flow, "New lead").items
    assert [(i.assign_to, i.value.value) for i in items] == [
        ("$Record.Status", "New"), ("$Record.Lead_Stage__c", "Stage_At_Least_Lead")
    ]


def test_stage_is_never_set_backward():
    flow = bundle_of(FULL).flows[0]
    formulas = {f.name: f for f in flow.formulas}
    rank = ('CASE(TEXT({!$Record.Lead_Stage__c}), "Subscriber", 1, "Lead", 2, "MQL", 3, "SQL", 4, '
            '"Opportunity", 5, "Customer", 6, 0)')
    f = formulas["Stage_At_Least_MQL"]
    assert f.data_type == "String"
    assert f.expression == f'IF({rank} < 3, "MQL", TEXT({{!$Record.Lead_Stage__c}}))'
    # one formula per target stage, listed in stage order
    assert [n for n in formulas if n.startswith("Stage_At_Least_")] == [
        "Stage_At_Least_Lead", "Stage_At_Least_MQL", "Stage_At_Least_SQL", "Stage_At_Least_Opportunity"
    ]


def test_stamp_dates_are_set_once_by_the_last_assignment():
    flow = bundle_of(FULL).flows[0]
    last = flow.element("Stamp_Stage_Dates")
    assert last.connector is None
    assert [i.assign_to for i in last.items][:2] == ["$Record.Subscriber_Date__c", "$Record.Lead_Date__c"]
    f = next(f for f in flow.formulas if f.name == "Stamp_MQL_Date")
    assert f.data_type == "DateTime"
    assert f.expression == ('IF(AND(ISBLANK({!$Record.MQL_Date__c}), TEXT({!$Record.Lead_Stage__c}) = "MQL"), '
                            "{!$Flow.CurrentDateTime}, {!$Record.MQL_Date__c})")


def test_no_transitions_and_no_stamp_dates_means_no_flow():
    b = compile_spec(make())
    assert b.flows == () and "Flow" not in b.members()


def test_a_transition_that_sets_nothing_is_left_out():
    assert compile_spec(make(transitions=[{"name": "Noop", "on": "create", "set": {}}])).flows == ()
    (flow,) = compile_spec(make(transitions=[{"name": "Noop", "set": {}}, transition("Go", on="create")])).flows
    assert [d.label for d in flow.decisions] == ["Go"] and flow.start.connector == "Check_Go"


def test_stamp_dates_without_transitions_is_a_flow_of_one_assignment():
    (flow,) = compile_spec(make(stage_field={"stamp_dates": True})).flows
    assert flow.decisions == () and [a.name for a in flow.assignments] == ["Stamp_Stage_Dates"]
    assert flow.start.connector == "Stamp_Stage_Dates"


def test_unconditional_transition_is_an_assignment_without_decision():
    (flow,) = compile_spec(make(transitions=[transition("Always"), transition("Then", when=[{"status": "New"}])])).flows
    assert flow.start.connector == "Apply_Always"
    assert flow.element("Apply_Always").connector == "Check_Then"
    assert [d.label for d in flow.decisions] == ["Then"]


def test_colliding_transition_names_get_distinct_element_names():
    (flow,) = compile_spec(make(transitions=[transition("Go!", on="create"), transition("Go?", on="create")])).flows
    assert [d.name for d in flow.decisions] == ["Check_Go", "Check_Go_2"]
    assert [d.label for d in flow.decisions] == ["Go!", "Go?"]


def test_compile_is_deterministic():
    assert compile_spec(spec_of(FULL)) == compile_spec(spec_of(FULL))
