"""check(): what Salesforce says when a validation rule or a flow formula is saved or deployed.

Citations (Salesforce Help unless named):
- "Tips for Working with Picklist and Multi-Select Picklist Values in Formulas": to reference picklist
  values use only ISPICKVAL, CASE and TEXT; "using most formula functions or standard comparison
  operators (such as = or !=) results in errors". ISBLANK does not take a picklist: use
  ISBLANK(TEXT(field)) or ISPICKVAL(field, "").
- ISPICKVAL, PRIORVALUE: "include the PRIORVALUE function inside the ISPICKVAL function".
- ISNEW, ISCHANGED, PRIORVALUE: available in validation rules.
- CASE: "CASE functions can't contain functions that return true or false" (formulon refuses them too).
- "Flow Formula Considerations": GETRECORDIDS, IMAGE, INCLUDES, PARENTGROUPVAL, PREVGROUPVAL,
  PRIORVALUE, REQUIRE SCRIPT, VLOOKUP aren't supported in a flow formula; references to global
  variables in formulas aren't validated.
"""

from __future__ import annotations

import pytest

from leadsync.localorg.formula import check, problems

LEAD = {
    "Status": "Picklist", "Lead_Stage__c": "Picklist", "Reason__c": "Picklist", "Company": "Text",
    "AnnualRevenue": "Currency", "NumberOfEmployees": "Number", "IsConverted": "Checkbox",
    "MQL_Date__c": "DateTime", "ConvertedDate": "Date", "OwnerId": "Lookup", "Hobbies__c": "MultiselectPicklist",
}

PICKLIST_ERROR = "Field {} is a picklist field. Picklist fields are only supported in certain functions."


@pytest.mark.parametrize("formula", [
    'ISPICKVAL(Status, "New")',
    'ISPICKVAL(PRIORVALUE(Lead_Stage__c), "MQL")',
    'CASE(Lead_Stage__c, "Lead", 1, "MQL", 2, 0) > 1',
    'ISBLANK(TEXT(Reason__c))',
    'TEXT(Status) = "New"',
    'ISCHANGED(Lead_Stage__c) && NOT(ISNEW())',
    'AND(OR(ISPICKVAL(Status, "Unqualified")), ISBLANK(TEXT(Reason__c)))',
    'CASE(TEXT(Lead_Stage__c), "Lead", 1, "MQL", 2, 0) < CASE(TEXT(PRIORVALUE(Lead_Stage__c)), "Lead", 1, "MQL", 2, 0)',
    "$Permission.Bypass_Lifecycle || IsConverted",
    "Owner.Alias = $User.Alias",
    "AnnualRevenue > 1000000 && NumberOfEmployees < 10",
    "MQL_Date__c < NOW() - 30",
    "ConvertedDate - TODAY() > 1",
    'LEN(Company) > 3 && CONTAINS(Company, "Inc") && BEGINS(Company, "A")',
    'VALUE("12") = 12',
    'INCLUDES(Hobbies__c, "Golf")',
    'ISBLANK(Hobbies__c)',
    'IF(ISBLANK(AnnualRevenue), 0, AnnualRevenue) > BLANKVALUE(NumberOfEmployees, 0)',
    'isblank(company) /* case-insensitive */',
    "ADDMONTHS(ConvertedDate, 1) > TODAY()",  # a Salesforce function the local org only knows by name
])
def test_what_salesforce_accepts_in_a_validation_rule(formula):
    assert check(formula, LEAD) == []


@pytest.mark.parametrize("formula, field", [
    ("ISBLANK(Lead_Stage__c)", "Lead_Stage__c"),
    ('Status = "New"', "Status"),
    ("ISNULL(Status)", "Status"),
    ('CONTAINS(Status, "Open")', "Status"),
    ('BLANKVALUE(Status, "New") = "New"', "Status"),
    ('PRIORVALUE(Status) = "New"', "Status"),
    ('Status & "x" = "x"', "Status"),
])
def test_a_picklist_outside_ispickval_text_case_is_refused(formula, field):
    assert check(formula, LEAD) == [PICKLIST_ERROR.format(field)]


@pytest.mark.parametrize("formula, message", [
    ("IF(IsConverted, TRUE)", "Incorrect number of parameters for function 'IF()'. Expected 3, received 2"),
    ("NOT(IsConverted, TRUE)", "Incorrect number of parameters for function 'NOT()'. Expected 1, received 2"),
    ("ISNEW(IsConverted)", "Incorrect number of parameters for function 'ISNEW()'. Expected 0, received 1"),
    ('CASE(TEXT(Status), "a", TRUE) ', "Incorrect number of parameters for function 'CASE()'. Expected 4, received 3"),
    ('CASE(TEXT(Status), "a", 1, "b", 2)', "Incorrect number of parameters for function 'CASE()'. Expected 6, received 5"),
    ("AND()", "Incorrect number of parameters for function 'AND()'. Expected 1, received 0"),
    ("ISPICKVALUE(Status, 'New')", "Unknown function ISPICKVALUE. Check spelling."),
    ("Foo__c", "Field Foo__c does not exist. Check spelling."),
    ("ISBLANK(Partner__r.Name)", "Field Partner__r does not exist. Check spelling."),
    ("$Nope.X", "Field $Nope.X does not exist. Check spelling."),
    ('ISPICKVAL(Company, "Acme")', "Incorrect parameter type for function 'ISPICKVAL()'. Expected Picklist, received Text"),
    ("AND(IsConverted, Company)", "Incorrect parameter type for function 'AND()'. Expected Boolean, received Text"),
    ('IF(IsConverted, 1, "x") = 1', "Incorrect parameter type for function 'IF()'. Expected Number, received Text"),
    ('Company = 1', "Incorrect parameter type for operator '='. Expected Text, received Number"),
    ('Company & 1 = "x"', "Incorrect parameter type for operator '&'. Expected Text, received Number"),
    ('"a" < "b"', "Incorrect parameter type for operator '<'. Expected Number, received Text"),
    ("TEXT(Company) = 'x'", "Incorrect parameter type for function 'TEXT()'. Expected Number, Date, Date/Time, "
                            "Picklist, received Text"),
    ("ISCHANGED(TEXT(Status))", "Incorrect parameter type for function 'ISCHANGED()'. Expected Field, received Text"),
    ("INCLUDES(Company, 'a')", "Incorrect parameter type for function 'INCLUDES()'. Expected Multi-Select Picklist, "
                               "received Text"),
    ("TEXT(Status)", "Formula result is data type (Text), incompatible with expected data type (true or false)."),
    ("AnnualRevenue", "Formula result is data type (Number), incompatible with expected data type (true or false)."),
    ("GETSESSIONID() = 'x'", "Function GETSESSIONID may not be used in this type of formula"),
    ('CASE(TEXT(Status), "New", TRUE, FALSE)', "Incorrect parameter type for function 'CASE()'. Expected Text, "
                                                "Number, Date, Date/Time, received Boolean"),
])
def test_what_salesforce_refuses_and_how_it_words_it(formula, message):
    assert check(formula, LEAD) == [message]


def test_syntax_errors_come_alone_with_their_position():
    (err,) = problems("AND(\n  Foo__c,\n  IsConverted", LEAD)
    assert (err.message, err.position) == ("Syntax error. Missing ')'", 3)


def test_every_distinct_problem_is_reported_with_its_position():
    found = problems("AND(ISBLANK(Foo__c), ISBLANK(Bar__c), ISBLANK(Foo__c))", LEAD)
    assert [(p.message, p.position) for p in found] == [
        ("Field Foo__c does not exist. Check spelling.", 12),
        ("Field Bar__c does not exist. Check spelling.", 29),
    ]


def test_field_names_are_case_insensitive():
    assert check('ISPICKVAL(status, "New") && ISBLANK(COMPANY)', LEAD) == []


# --- flows ---------------------------------------------------------------------------------------

FLOW_FORMULA = ('IF(AND(ISBLANK({!$Record.MQL_Date__c}), TEXT({!$Record.Lead_Stage__c}) = "MQL"), '
                '{!$Flow.CurrentDateTime}, {!$Record.MQL_Date__c})')


def test_a_flow_formula_with_record_fields_and_flow_globals():
    assert check(FLOW_FORMULA, LEAD, "flow", result_type="DateTime") == []


def test_a_flow_formula_result_must_match_its_data_type():
    assert check(FLOW_FORMULA, LEAD, "flow", result_type="Number") == [
        "Formula result is data type (Date/Time), incompatible with expected data type (Number)."]


def test_flow_resources_must_exist():
    assert check("{!Stage_Rank} + 1", LEAD, "flow", frozenset({"stage_rank"}), "Number") == []
    assert check("{!Stage_Rank} + 1", LEAD, "flow", frozenset(), "Number") == [
        "Field Stage_Rank does not exist. Check spelling."]


def test_flow_record_fields_must_exist_and_picklists_need_text():
    assert check("ISBLANK({!$Record.Nope__c})", LEAD, "flow") == ["Field Nope__c does not exist. Check spelling."]
    assert check('{!$Record.Status} = "New"', LEAD, "flow") == [PICKLIST_ERROR.format("$Record.Status")]
    assert check('{!$Record__Prior.Status} = "New"', LEAD, "flow") == [PICKLIST_ERROR.format("$Record__Prior.Status")]


def test_priorvalue_is_not_a_flow_formula_function_but_may_be_used_in_an_entry_condition():
    formula = 'ISPICKVAL(PRIORVALUE({!$Record.Status}), "New")'
    assert check(formula, LEAD, "flow") == ["Function PRIORVALUE may not be used in this type of formula"]
    assert check(formula, LEAD, "flow_entry") == []
    assert check("ISCHANGED({!$Record.Status}) && NOT(ISNEW())", LEAD, "flow_entry") == []


def test_flow_globals_are_not_validated():
    assert check("{!$User.Alias} = 'x' && {!$Permission.Bypass}", LEAD, "flow") == []


def test_an_unknown_context_is_a_programming_error():
    with pytest.raises(ValueError):
        check("TRUE", LEAD, "formula_field")


def test_custom_permissions_must_exist_when_the_org_s_are_given():
    assert check("$Permission.Bypass_Lifecycle", LEAD) == []  # not validated without the org's list
    assert check("$Permission.bypass_lifecycle", LEAD, permissions={"Bypass_Lifecycle"}) == []
    assert check("$Permission.Other", LEAD, permissions={"Bypass_Lifecycle"}) == [
        "Field $Permission.Other does not exist. Check spelling."]
    assert check("{!$Permission.Other}", LEAD, "flow", permissions=set()) == []


def test_formulas_are_limited_to_3900_characters():
    """Salesforce: formulas are limited to 3,900 characters, including spaces, line breaks and comments."""
    fits = "IsConverted" + " " * (3900 - len("IsConverted"))
    assert check(fits, LEAD) == []
    assert check(fits + " ", LEAD) == ["Formula is too long (3,901 characters). Maximum length is 3,900 characters."]


def test_flow_resources_with_data_types_are_typed():
    resources = {"Stage_Rank": "Number", "Label": "String", "Lead_Var": "SObject"}
    assert check("{!Stage_Rank} > 2 && {!Label} = 'x' && ISBLANK({!Lead_Var.Company})", LEAD, "flow", resources) == []
    assert check("{!Stage_Rank} & 'x'", LEAD, "flow", resources) == [
        "Incorrect parameter type for operator '&'. Expected Text, received Number"]
