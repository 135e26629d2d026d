"""report/plan.py: a Plan as Terraform-like text, one summary line per component, and JSON."""

from __future__ import annotations

from leadsync.metadata.diff import Change, ComponentDiff
from leadsync.org.client import OrgInfo
from leadsync.org.plan import Finding, Plan, ValueCount
from leadsync.report.plan import format_text, summary_lines, to_json

ORG = OrgInfo("00D5g000004ABCD", "Acme UAT", True, "Enterprise Edition", "https://acme.example")

PLAN = Plan(
    ORG,
    diffs=(
        ComponentDiff("StandardValueSet", "LeadStatus", "~", (
            Change("+", "value 'Bad Timing'"),
            Change("~", "value 'Connected' label", "Connected", "Talking"),
            Change("-", "value 'Nurture'", "active", "inactive"),
            Change("-", "value 'Working - Contacted'", "active", "inactive"),
        )),
        ComponentDiff("CustomField", "Lead.Evangelist_Date__c", "+"),
        ComponentDiff("CustomField", "Lead.Nurture_Date__c", "-"),
    ),
    counts=(ValueCount("Lead.Status", "Nurture", 12, 3),
            ValueCount("Lead.Status", "Working - Contacted", 40, 2, renamed_to="Attempted to Contact")),
    findings=(Finding("missing-field", "Lead.Score__c does not exist in the org"),),
)


def test_text_groups_changes_by_component_with_lead_counts():
    assert format_text(PLAN) == (
        "plan for 'Acme UAT' (00D5g000004ABCD, https://acme.example)\n"
        "\n"
        "  ~ StandardValueSet LeadStatus\n"
        "      + value 'Bad Timing'\n"
        "      ~ value 'Connected' label: \"Connected\" → \"Talking\"\n"
        "      - value 'Nurture' deactivated (12 leads, 3 converted)\n"
        "      - value 'Working - Contacted' (renamed to 'Attempted to Contact': 40 leads move, 2 converted keep it)\n"
        "  + CustomField Lead.Evangelist_Date__c\n"
        "  - CustomField Lead.Nurture_Date__c (rendered by leadsync before, no longer in the spec: deleted only "
        "with --allow-destructive)\n"
        "\n"
        "warning: Lead.Score__c does not exist in the org\n"
        "Plan: 1 to add, 1 to change, 1 to remove.\n"
    )


def test_nothing_differs():
    assert format_text(Plan(ORG)).endswith("\nNo changes.\n")
    assert summary_lines(Plan(ORG)) == ["No changes."]


def test_one_summary_line_per_component():
    assert summary_lines(PLAN) == [
        "~ StandardValueSet LeadStatus (1 added, 1 changed, 2 removed)",
        "+ CustomField Lead.Evangelist_Date__c",
        "- CustomField Lead.Nurture_Date__c",
        "Plan: 1 to add, 1 to change, 1 to remove.",
    ]


def test_json():
    doc = to_json(PLAN, exit_code=10)
    assert (doc["ok"], doc["exitCode"], doc["changes"]) == (True, 10, True)
    assert doc["summary"] == {"add": 1, "change": 1, "remove": 1}
    assert doc["components"][0]["changes"][1] == {"change": "~", "what": "value 'Connected' label",
                                                  "old": "Connected", "new": "Talking"}
    assert doc["leads"][1] == {"field": "Lead.Status", "value": "Working - Contacted", "leads": 40, "converted": 2,
                               "renamedTo": "Attempted to Contact"}
    assert doc["findings"] == [{"kind": "missing-field", "message": "Lead.Score__c does not exist in the org"}]


def test_an_obsolete_field_says_how_many_leads_hold_a_value_singular_or_plural():
    from dataclasses import replace

    from leadsync.report.plan import component_heading

    gone = ComponentDiff("CustomField", "Lead.Nurture_Date__c", "-")
    assert component_heading(gone, replace(PLAN, field_values=(("Lead.Nurture_Date__c", 1),))).endswith(
        "; 1 lead holds a value in it)")
    assert component_heading(gone, replace(PLAN, field_values=(("Lead.Nurture_Date__c", 340),))).endswith(
        "; 340 leads hold a value in it)")
