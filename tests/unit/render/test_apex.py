"""render/apex.py: the scenarios as an Apex test class (what it asserts, how it quotes values), and the
third-party Apex parser on a class full of awkward values."""

from __future__ import annotations

import pytest

from leadsync.metadata.model import ValidationRule
from leadsync.render.apex import apex_string, apex_value, expected_messages, scenario_class_name
from leadsync.render.compile import compile_spec
from leadsync.render.output import write_tree
from leadsync.spec.model import Spec

SPEC = {
    "leadsync": 1,
    "name": "O'Brien & Co",
    "stages": [{"value": "Lead"}, {"value": "SQL"}, {"value": "Opportunity"}],
    "statuses": [{"value": "New", "default": True}, {"value": "Won 'big'", "converted": True},
                 {"value": "Unqualified", "requires_reason": True}],
    "unqualified_reasons": {"values": ["Not a Fit"]},
    "transitions": [{"name": "Converted", "when": [{"converted": True}], "set": {"stage": "Opportunity"}}],
    "scenarios": [
        {"name": "Quotes \\ backslashes 'and' ünïcode\nnew line", "steps": [
            {"create": {"LastName": "D'Arcy \\ \"x\"", "Company": "Acme", "AnnualRevenue": 1500000,
                        "NumberOfEmployees": 12, "HasOptedOutOfEmail": True, "Title": None},
             "expect": {"stage": "Lead", "fields": {"AnnualRevenue": 1500000, "HasOptedOutOfEmail": True,
                                                    "Title": None, "Rating": 2.5}}},
            {"update": {"Status": "Unqualified"}, "expect": {"error": "Reason_Required"}},
            {"update": {"Lead_Stage__c": "Lead"}, "expect": {"error": True}},
            {"convert": {}, "expect": {"stage": "Opportunity", "status": "Won 'big'"}},
        ]},
        {"name": "Second", "steps": [{"create": {"LastName": "X", "Company": "Y"}, "expect": {"error": "nope"}}]},
    ],
}


def _class():
    spec = Spec.model_validate(SPEC)
    return compile_spec(spec).apex_classes[0], spec


def test_one_test_class_named_after_the_spec_with_a_method_per_scenario():
    cls, spec = _class()
    assert cls.full_name == scenario_class_name(spec) == "O_Brien_Co_Lifecycle_Test"
    body = cls.body
    assert body.count("@isTest") == 1 + len(spec.scenarios)
    assert "static void scenario1_Quotes_backslashes_and_unicode_new_line()" in body
    assert "static void scenario2_Second()" in body
    assert "System.runAs(scenarioUser())" in body
    # A username is unique across all of Salesforce: random digits and the org id (18 + 59 < 80 characters).
    assert "Username = 'leadsync.scenario.' + unique + '.' + UserInfo.getOrganizationId() + '@example.com'" in body


def test_values_are_apex_literals_of_their_yaml_type():
    cls, _ = _class()
    body = cls.body
    assert "LastName = 'D\\'Arcy \\\\ \"x\"'" in body
    assert "AnnualRevenue = 1500000, NumberOfEmployees = 12, HasOptedOutOfEmail = true, Title = null" in body
    assert "System.assertEquals(true, current.get('HasOptedOutOfEmail')" in body
    assert "Decimal.valueOf(String.valueOf(current.get('Rating'))) == 2.5" in body
    assert apex_string("a'b\\c\nd") == "'a\\'b\\\\c\\nd'"
    assert [apex_value(v) for v in (None, True, False, 3, 2.5, "x")] == ["null", "true", "false", "3", "2.5", "'x'"]


def test_error_steps_expect_a_dml_exception_and_unchanged_values():
    cls, _ = _class()
    body = cls.body
    # `Reason_Required` names the rule: its message is what the org's error says
    assert "expectError(e, new List<String>{ 'Unqualified Reason is required when Status is Unqualified.' }" in body
    assert "expectError(e, new List<String>(), 'step 3 (update)')" in body  # error: true
    assert "expectUnchanged(before2, reload(leadId), 'step 2 (update)')" in body
    assert "FIELD_CUSTOM_VALIDATION_EXCEPTION" in body
    assert "expectError(e, new List<String>{ 'nope' }, 'step 1 (create)')" in body


def test_convert_uses_database_leadconvert_with_the_first_converted_status():
    cls, _ = _class()
    body = cls.body
    assert ("private static final String CONVERTED_STATUS = [SELECT MasterLabel FROM LeadStatus\n"
            "        WHERE ApiName = 'Won \\'big\\'' AND IsConverted = true LIMIT 1].MasterLabel;") in body
    assert "convert4.setConvertedStatus(CONVERTED_STATUS);" in body
    assert "Database.convertLead(convert4, false)" in body
    assert "System.assertEquals('Won \\'big\\'', current.Status" in body


def test_expected_messages_prefer_the_message_then_the_rule_name():
    rules = (ValidationRule("Lead_Stage_Forward_Only", "f", "Stage only moves forward."),
             ValidationRule("Unqualified_Reason_Required", "f", "Reason is required."))
    assert expected_messages("moves forward", rules) == ["moves forward"]
    assert expected_messages("forward_only", rules) == ["Stage only moves forward."]
    assert expected_messages("unknown", rules) == ["unknown"]


def test_no_scenarios_no_apex():
    spec = Spec.model_validate({**SPEC, "scenarios": []})
    assert compile_spec(spec).apex_classes == ()
    assert "ApexClass" not in compile_spec(spec).members()


def test_awkward_values_still_parse(checkers, tmp_path):
    cls, _ = _class()
    write_tree({"classes/X.cls": cls.body.encode("utf-8")}, tmp_path)
    done = checkers.run(["node", str(checkers.scripts / "apexparse.js"), str(tmp_path / "classes" / "X.cls")])
    assert done.returncode == 0, done.stdout + done.stderr


def test_big_integers_are_longs_and_floats_never_use_exponents():
    """An Apex Integer literal is 32-bit (5000000000 is "Illegal integer"; 5000000000L a Long, which a
    Currency or Number field takes), and Apex has no exponent notation (1e+16, 1e-05 do not parse)."""
    assert [apex_value(v) for v in (2**31 - 1, 2**31, -2**31, -2**31 - 1, 5_000_000_000)] == [
        "2147483647", "2147483648L", "-2147483648", "-2147483649L", "5000000000L"]
    assert [apex_value(v) for v in (1e16, 1e-05, 3.0, 2.5)] == ["10000000000000000.0", "0.00001", "3.0", "2.5"]


def test_big_and_tiny_numbers_still_parse(checkers, tmp_path):
    steps = [{"create": {"LastName": "X", "Company": "Y", "AnnualRevenue": 5_000_000_000, "NumberOfEmployees": 1e-05},
              "expect": {"fields": {"AnnualRevenue": 5_000_000_000, "Rating": 1e16}}}]
    spec = Spec.model_validate({**SPEC, "scenarios": [{"name": "Numbers", "steps": steps}]})
    write_tree({"classes/X.cls": compile_spec(spec).apex_classes[0].body.encode("utf-8")}, tmp_path)
    done = checkers.run(["node", str(checkers.scripts / "apexparse.js"), str(tmp_path / "classes" / "X.cls")])
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("api", ["45.0", "63.0"])
def test_the_meta_file_carries_the_spec_api_version(api):
    from leadsync.render.layouts import render_files

    spec = Spec.model_validate({**SPEC, "api_version": api})
    files = render_files(compile_spec(spec), "mdapi")
    meta = files["classes/O_Brien_Co_Lifecycle_Test.cls-meta.xml"].decode()
    assert f"<apiVersion>{api}</apiVersion>" in meta and "<status>Active</status>" in meta
