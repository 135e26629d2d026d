"""metadata/diff.py: two Bundles compared value by value, with Salesforce's picklist rules."""

from __future__ import annotations

from dataclasses import replace

from leadsync.metadata import diff as d
from leadsync.metadata import model as m
from leadsync.metadata.ownership import MARKER, is_owned, mark, unmark


def status_set(*values: m.StandardValue) -> m.StandardValueSet:
    return m.StandardValueSet("LeadStatus", tuple(values))


def v(name: str, **kw) -> m.StandardValue:
    return m.StandardValue(name, kw.pop("label", name), **kw)


def bundle(*values: m.StandardValue, fields=(), rules=()) -> m.Bundle:
    return m.Bundle("63.0", lead=m.LeadObject(fields=tuple(fields), validation_rules=tuple(rules)),
                    standard_value_sets=(status_set(*values),))


def changes(org: m.Bundle, desired: m.Bundle) -> list[str]:
    return [f"{x.sign} {x.type} {x.name}: " + "; ".join(f"{c.sign} {c.describe()}" for c in x.changes)
            for x in d.compare(org, desired)]


def test_identical_bundles_differ_in_nothing():
    b = bundle(v("New", default=True), v("Won", converted=True))
    assert d.compare(b, b) == ()


def test_picklist_values_follow_salesforces_rules():
    org = bundle(v("New", default=True), v("Old"), v("Gone", is_active=False), v("Won", converted=True))
    desired = bundle(v("New", default=True), v("Fresh"), v("Won", converted=True, label="Closed Won"),
                     v("Renamed", is_active=False))
    assert changes(org, desired) == [
        "~ StandardValueSet LeadStatus: + value 'Fresh'; ~ value 'Won' label: \"Won\" → \"Closed Won\"; "
        "- value 'Old'"]  # 'Gone' is inactive already; 'Renamed' inactive and absent: nothing to do


def test_deactivating_and_reactivating_a_value():
    org = bundle(v("New", default=True), v("Later", is_active=False))
    desired = bundle(v("New", default=True, is_active=False), v("Later"))
    (component,) = d.compare(org, desired)
    assert [(c.sign, c.what, c.old, c.new) for c in component.changes] == [
        ("-", "value 'New'", "active", "inactive"), ("+", "value 'Later'", "inactive", "active")]


def test_a_new_order_is_a_change():
    org = bundle(v("A"), v("B"))
    (component,) = d.compare(org, bundle(v("B"), v("A")))
    assert component.changes[-1].describe() == "values order: [A, B] → [B, A]"


def test_only_components_leadsync_rendered_before_are_removed():
    ours = m.ValidationRule("Old_Rule", "TRUE", "no", description=mark("A rule."))
    theirs = m.ValidationRule("Admin_Rule", "TRUE", "no", description="The admin's own.")
    unmarked = m.ValidationRule("Legacy", "TRUE", "no")
    org = bundle(v("A"), rules=[ours, theirs, unmarked])
    removed = [x for x in d.compare(org, bundle(v("A"))) if x.sign == d.REMOVE]
    assert [x.key for x in removed] == [("ValidationRule", "Lead.Old_Rule")]


def test_a_field_leadsync_renders_for_the_first_time_is_added_with_its_values():
    stage = m.PicklistField("Stage__c", "Stage", (m.PicklistValue("A", "A"), m.PicklistValue("B", "B")))
    (component,) = d.compare(bundle(v("X")), bundle(v("X"), fields=[stage]))
    assert (component.sign, [c.what for c in component.changes]) == ("+", ["value 'A'", "value 'B'"])


def test_subset_keeps_only_the_named_components():
    stage = m.PicklistField("Stage__c", "Stage", (m.PicklistValue("A", "A"),), track_history=True)
    rule = m.ValidationRule("R", "TRUE", "no")
    full = replace(bundle(v("X"), fields=[stage], rules=[rule]), lead=m.LeadObject(
        fields=(stage,), validation_rules=(rule,), enable_history=True))
    part = d.subset(full, {("ValidationRule", "Lead.R")})
    assert part.members() == {"ValidationRule": ["Lead.R"]}
    assert part.lead.enable_history is None


def test_the_ownership_marker_round_trips():
    assert mark(None) == MARKER and unmark(MARKER) is None
    assert unmark(mark("Leads from events.")) == "Leads from events." and is_owned(mark("x"))
    long = mark("x" * 300)
    assert len(long) <= 255 and long.endswith(MARKER)
    assert mark(mark("once")) == mark("once")


def test_flow_elements_are_matched_by_name_and_assignment_items_by_field():
    item = lambda ref: m.FlowAssignmentItem(ref, "Assign", m.FlowValue("elementReference", "f"))  # noqa: E731
    start = m.FlowStart("Lead", "RecordBeforeSave", "CreateAndUpdate")
    old = m.Flow("F", "F", "63.0", start, assignments=(m.FlowAssignment("Stamp", "Stamp", (item("$Record.A__c"),)),))
    new = m.Flow("F", "F", "63.0", start, assignments=(m.FlowAssignment("Stamp", "Stamp", (item("$Record.B__c"),)),))
    org = replace(bundle(v("X")), flows=(old,))
    (component,) = d.compare(org, replace(bundle(v("X")), flows=(new,)))
    assert [f"{c.sign} {c.describe()}" for c in component.changes] == [
        "+ assignment 'Stamp' item '$Record.B__c'", "- assignment 'Stamp' item '$Record.A__c'"]


def test_a_reactivated_value_says_so():
    (component,) = d.compare(bundle(v("A"), v("B", is_active=False)), bundle(v("A"), v("B")))
    assert [c.describe() for c in component.changes] == ["value 'B' reactivated"]


def test_a_changed_text_of_many_lines_is_counted_not_printed_twice_in_full():
    """An Apex class body in a plan: 'body changed (1 line removed, 2 added)', not two whole classes."""
    old = "@isTest\nprivate class T {\n    static String s = 'a';\n}\n"
    new = "@isTest\nprivate class T {\n    // why\n    static String s = 'b';\n}\n"
    change = d.Change(d.CHANGE, "body", old, new)
    assert change.describe() == "body changed (1 line removed, 2 added)"
    assert change.to_json()["old"] == old and change.to_json()["new"] == new  # JSON keeps both in full
    assert d.Change(d.CHANGE, "formula", "A = 1", "A = 2").describe() == 'formula: "A = 1" → "A = 2"'
