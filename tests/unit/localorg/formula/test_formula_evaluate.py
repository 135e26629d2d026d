"""evaluate(): one test (or more) per function, against Salesforce's documented behaviour.

Citations are Salesforce Help pages (help.salesforce.com, `customize_functions_<name>.htm`) unless named.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from leadsync.localorg.formula import FormulaContext, FormulaError, evaluate, parse

TYPES = {
    "Status": "Picklist", "Lead_Stage__c": "Picklist", "Company": "Text", "Description": "LongTextArea",
    "AnnualRevenue": "Currency", "NumberOfEmployees": "Number", "IsConverted": "Checkbox",
    "MQL_Date__c": "DateTime", "ConvertedDate": "Date", "Hobbies__c": "MultiselectPicklist",
}
NOW = datetime(2026, 3, 14, 15, 9, 26, tzinfo=timezone.utc)


def ev(formula: str, record: dict | None = None, prior: dict | None = None, **kw):
    return evaluate(formula, FormulaContext(record=record or {}, prior=prior, field_types=TYPES, now=NOW, **kw))


# --- logical --------------------------------------------------------------------------------------


def test_and_or_not_and_their_operators():
    """AND: true if all values are true; OR: true if any is; NOT: the opposite. && || ! are alternatives."""
    assert ev("AND(TRUE, TRUE, TRUE)") is True and ev("AND(TRUE, FALSE)") is False
    assert ev("OR(FALSE, FALSE, TRUE)") is True and ev("OR(FALSE)") is False
    assert ev("NOT(FALSE)") is True and ev("!TRUE") is False
    assert ev("TRUE && FALSE || TRUE") is True


def test_if_returns_one_of_its_branches():
    """IF(logical_test, value_if_true, value_if_false)."""
    assert ev('IF(IsConverted, "yes", "no")', {"IsConverted": True}) == "yes"
    assert ev('IF(IsConverted, "yes", "no")', {"IsConverted": False}) == "no"


def test_case_returns_the_result_of_the_first_equal_value_else_the_last():
    """CASE(expression, value1, result1, ..., else_result); on picklists it compares the value's API name."""
    formula = 'CASE(Lead_Stage__c, "Lead", 1, "MQL", 2, 0)'
    assert ev(formula, {"Lead_Stage__c": "MQL"}) == 2
    assert ev(formula, {"Lead_Stage__c": "SQL"}) == 0
    assert ev(formula, {"Lead_Stage__c": None}) == 0


# --- picklists ---------------------------------------------------------------------------------


def test_ispickval_compares_a_picklist_with_a_text_literal():
    """ISPICKVAL(picklist_field, text_literal); ISPICKVAL(field, "") is true when the field is blank
    (Trailhead "Use Picklists in Formulas")."""
    assert ev('ISPICKVAL(Status, "New")', {"Status": "New"}) is True
    assert ev('ISPICKVAL(Status, "New")', {"Status": "new"}) is False
    assert ev('ISPICKVAL(Status, "")', {"Status": None}) is True


def test_text_of_a_picklist_is_its_api_name_and_blank_is_empty():
    """TEXT(picklist): "Converts the selected value of a picklist into ... the value's API name"."""
    assert ev("TEXT(Status)", {"Status": "Working"}) == "Working"
    assert ev("TEXT(Status)", {}) == ""


def test_text_of_numbers_dates_and_datetimes():
    """TEXT(number) has no trailing zeros (formulon and sformula agree: TEXT(1.50) is "1.5");
    TEXT(date) is YYYY-MM-DD; TEXT(date/time) is in GMT, `YYYY-MM-DD HH:MM:SSZ`."""
    assert ev("TEXT(1.50)") == "1.5" and ev("TEXT(100)") == "100"
    assert ev("TEXT(ConvertedDate)", {"ConvertedDate": "2026-01-02"}) == "2026-01-02"
    assert ev("TEXT(MQL_Date__c)", {"MQL_Date__c": "2026-01-02T03:04:05.000+0000"}) == "2026-01-02 03:04:05Z"


# --- blanks -------------------------------------------------------------------------------------


def test_isblank_is_true_for_empty_text_and_null_values():
    """ISBLANK: "returns TRUE if it does not [have a value]"; a space is a value; a checkbox is never blank."""
    assert ev("ISBLANK(Company)", {"Company": ""}) is True
    assert ev("ISBLANK(Company)", {"Company": None}) is True
    assert ev("ISBLANK(Company)", {"Company": " "}) is False
    assert ev("ISBLANK(AnnualRevenue)", {"AnnualRevenue": None}) is True
    assert ev("ISBLANK(AnnualRevenue)", {"AnnualRevenue": 0}) is False
    assert ev("ISBLANK(IsConverted)", {"IsConverted": False}) is False
    assert ev("ISBLANK(TEXT(Status))", {}) is True


def test_isnull_is_always_false_for_text():
    """ISNULL: "Text fields are never null, so using this function with a text field always returns false."
    For text use ISBLANK."""
    assert ev("ISNULL(Company)", {"Company": None}) is False
    assert ev("ISNULL(Company)", {"Company": ""}) is False
    assert ev("ISNULL(AnnualRevenue)", {"AnnualRevenue": None}) is True
    assert ev("ISNULL(AnnualRevenue)", {"AnnualRevenue": 5}) is False


def test_blankvalue_and_nullvalue_substitute_a_blank():
    """BLANKVALUE(expression, substitute_expression): the substitute when the expression is blank;
    NULLVALUE does the same for null, and never for text (never null)."""
    assert ev("BLANKVALUE(AnnualRevenue, 0)") == 0
    assert ev("BLANKVALUE(AnnualRevenue, 0)", {"AnnualRevenue": "12.5"}) == Decimal("12.5")
    assert ev('BLANKVALUE(Company, "n/a")', {"Company": ""}) == "n/a"
    assert ev("NULLVALUE(AnnualRevenue, 1)") == 1
    assert ev('NULLVALUE(Company, "n/a")', {"Company": ""}) == ""


def test_blank_numbers_are_blanks_in_arithmetic_and_never_less_or_greater():
    """Flow Formula Considerations: "To evaluate a null field value as a zero value, use the BLANKVALUE
    function"; validation rules treat blank fields as blanks (no "treat blank fields as zeroes")."""
    assert ev("AnnualRevenue + 1") is None
    assert ev("AnnualRevenue > 1") is False and ev("AnnualRevenue < 1") is False
    assert ev("NOT(AnnualRevenue > 1)") is True  # as formulon evaluates it
    assert ev("AnnualRevenue = NULL") is True and ev("AnnualRevenue <> 1") is True
    assert ev("IF(AnnualRevenue > 1, 1, 2)") == 2


def test_blank_text_equals_empty_text_and_concatenates_as_nothing():
    assert ev('Company = ""', {"Company": None}) is True
    assert ev('Company & "!"', {}) == "!"
    assert ev("LEN(Company)", {}) == 0


# --- record changes --------------------------------------------------------------------------------


def test_isnew_is_true_only_on_insert():
    """ISNEW: TRUE during the creation of a new record, FALSE when an existing record is updated."""
    assert ev("ISNEW()", {}, None) is True
    assert ev("ISNEW()", {}, {}) is False


def test_ischanged_compares_with_the_prior_value_and_is_false_on_insert():
    """ISCHANGED: "returns FALSE when evaluating any field on a newly created record"; "If a text field
    was previously blank, this function returns TRUE when it contains any value"."""
    assert ev("ISCHANGED(Lead_Stage__c)", {"Lead_Stage__c": "MQL"}, None) is False
    assert ev("ISCHANGED(Lead_Stage__c)", {"Lead_Stage__c": "MQL"}, {"Lead_Stage__c": "Lead"}) is True
    assert ev("ISCHANGED(Lead_Stage__c)", {"Lead_Stage__c": "MQL"}, {"lead_stage__c": "MQL"}) is False
    assert ev("ISCHANGED(Company)", {"Company": "Acme"}, {"Company": None}) is True
    assert ev("ISCHANGED(Company)", {"Company": ""}, {"Company": None}) is False


def test_priorvalue_is_the_value_before_the_save_and_the_current_value_on_insert():
    """PRIORVALUE: "When users create a record, this function returns the value of the field referenced
    rather than null"; inside ISPICKVAL for picklists."""
    assert ev('ISPICKVAL(PRIORVALUE(Status), "New")', {"Status": "Working"}, {"Status": "New"}) is True
    assert ev("TEXT(PRIORVALUE(Status))", {"Status": "Working"}, None) == "Working"


def test_the_lifecycle_guard_against_moving_a_stage_backwards():
    rank = 'CASE(TEXT({}), "Lead", 1, "MQL", 2, "SQL", 3, 0)'
    formula = (f"AND(NOT(ISNEW()), ISCHANGED(Lead_Stage__c), {rank.format('Lead_Stage__c')} < "
               f"{rank.format('PRIORVALUE(Lead_Stage__c)')})")
    assert ev(formula, {"Lead_Stage__c": "Lead"}, {"Lead_Stage__c": "SQL"}) is True
    assert ev(formula, {"Lead_Stage__c": "SQL"}, {"Lead_Stage__c": "Lead"}) is False
    assert ev(formula, {"Lead_Stage__c": "Lead"}, None) is False


# --- permissions and flow resources ---------------------------------------------------------------


def test_permission_globals_are_true_when_the_user_holds_the_custom_permission():
    """$Permission.X: true when the running user has the custom permission (case-insensitive names)."""
    assert ev("$Permission.Bypass_Lifecycle", permissions=frozenset({"bypass_lifecycle"})) is True
    assert ev("$Permission.Bypass_Lifecycle") is False


def test_flow_merge_fields_read_the_record_the_prior_record_and_resources():
    record, prior = {"Lead_Stage__c": "MQL"}, {"Lead_Stage__c": "Lead"}
    assert ev("TEXT({!$Record.Lead_Stage__c})", record, prior) == "MQL"
    assert ev("TEXT({!$Record__Prior.Lead_Stage__c})", record, prior) == "Lead"
    assert ev("{!$Record__Prior.Lead_Stage__c}", record, None) is None
    assert ev("{!Rank} + 1", resources={"rank": Decimal(2)}) == 3
    assert ev("{!Rank} + 1", resources={"Rank": lambda: Decimal(4)}) == 5
    assert ev("{!$Flow.CurrentDateTime}") == NOW and ev("{!$Flow.CurrentDate}") == NOW.date()
    assert ev("{!$Record.Status}", resources={"$Record.Status": "From resources"}) == "From resources"


def test_the_rendered_flow_date_stamp_formula():
    formula = ('IF(AND(ISBLANK({!$Record.MQL_Date__c}), TEXT({!$Record.Lead_Stage__c}) = "MQL"), '
               '{!$Flow.CurrentDateTime}, {!$Record.MQL_Date__c})')
    assert ev(formula, {"Lead_Stage__c": "MQL"}) == NOW
    earlier = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert ev(formula, {"Lead_Stage__c": "MQL", "MQL_Date__c": earlier}) == earlier
    assert ev(formula, {"Lead_Stage__c": "Lead"}) is None


# --- text ------------------------------------------------------------------------------------------


def test_len_contains_begins():
    """LEN: the number of characters; CONTAINS: "This function is case-sensitive"; BEGINS: case-sensitive too."""
    assert ev('LEN("Acme")') == 4
    assert ev('CONTAINS(Company, "cme")', {"Company": "Acme"}) is True
    assert ev('CONTAINS(Company, "ACME")', {"Company": "Acme"}) is False
    assert ev('CONTAINS(Company, "A")', {}) is False
    assert ev('BEGINS(Company, "Ac")', {"Company": "Acme"}) is True
    assert ev('BEGINS(Company, "ac")', {"Company": "Acme"}) is False


def test_concatenation_and_text_functions():
    assert ev('"a" & "b" + "c"') == "abc"
    assert ev('UPPER("ab") & LOWER("CD") & TRIM("  e ")') == "ABcde"
    assert ev('LEFT("Salesforce", 5) & "|" & RIGHT("Salesforce", 5) & "|" & MID("Salesforce", 2, 3)') == "Sales|force|ale"
    assert ev('SUBSTITUTE("a-b-c", "-", "+")') == "a+b+c"
    assert ev('RIGHT("MQL", 4) & LEFT("MQL", 9) & MID("MQL", 3, 9)') == "MQLMQLL"
    assert ev('REGEX("AB-123", "[A-Z]{2}-\\\\d+")') is True


def test_escapes_evaluate_to_their_characters():
    assert ev(r'"Say \"hi\"\n"') == 'Say "hi"\n'
    assert ev(r"LEN('it\'s')") == 4


def test_value_and_isnumber():
    """VALUE(text): the number a text holds; not a number is an error (#Error! in Salesforce)."""
    assert ev('VALUE("1.5")') == Decimal("1.5") and ev('VALUE(" 12 ")') == 12
    assert ev('ISNUMBER("12.5")') is True and ev('ISNUMBER("x")') is False
    with pytest.raises(FormulaError, match="not a number"):
        ev('VALUE("abc")')


def test_includes_on_a_multi_select_picklist():
    """INCLUDES(multiselect_picklist_field, text_literal)."""
    assert ev('INCLUDES(Hobbies__c, "Golf")', {"Hobbies__c": "Golf;Tennis"}) is True
    assert ev('INCLUDES(Hobbies__c, "Go")', {"Hobbies__c": "Golf;Tennis"}) is False


# --- numbers and dates --------------------------------------------------------------------------------


def test_arithmetic_uses_decimals():
    assert ev("0.1 + 0.2") == Decimal("0.3")
    assert ev("1 + 2 * 3 - 4 / 2") == 5
    assert ev("2 ^ 10") == 1024 and ev("2 ^ 3 ^ 2") == 64 and ev("-2 ^ 2") == 4
    assert ev("AnnualRevenue * 2", {"AnnualRevenue": 12.5}) == 25
    assert ev("NumberOfEmployees / 2", {"NumberOfEmployees": "9"}) == Decimal("4.5")


def test_division_by_zero_is_an_error():
    with pytest.raises(FormulaError, match="Divide by 0"):
        ev("1 / 0")


def test_number_functions():
    """FLOOR: "rounded down to the nearest integer, towards zero if negative"; CEILING: "up to the nearest
    integer, away from zero if negative"; ROUND: half away from zero, in decimal (ROUND(1.005, 2) is 1.01)."""
    assert ev("ABS(-2)") == 2 and ev("FLOOR(2.7)") == 2 and ev("CEILING(2.1)") == 3
    assert ev("FLOOR(-2.5)") == -2 and ev("CEILING(-2.5)") == -3 and ev("ROUND(1.005, 2)") == Decimal("1.01")
    assert ev("0 ^ 0") == 1 and ev("2 ^ -1") == Decimal("0.5") and ev("TEXT(-3 * 0)") == "0"
    assert ev("ROUND(2.5, 0)") == 3 and ev("ROUND(-2.5, 0)") == -3 and ev("ROUND(1.2345, 2)") == Decimal("1.23")
    assert ev("MOD(7, 3)") == 1 and ev("MOD(-7, 3)") == -1
    assert ev("MAX(1, 5, 3)") == 5 and ev("MIN(4, 2)") == 2


def test_comparison_operators():
    assert ev("1 = 1.0") is True and ev("1 == 2") is False and ev("1 != 2") is True and ev("1 <> 1") is False
    assert ev("1 < 2") is True and ev("2 <= 2") is True and ev("3 > 4") is False and ev("4 >= 4") is True
    assert ev("TRUE = IsConverted", {"IsConverted": "true"}) is True


def test_now_and_today():
    """NOW(): the current date/time; TODAY(): the current date (the local org: in GMT)."""
    assert ev("NOW()") == NOW and ev("TODAY()") == date(2026, 3, 14)


def test_date_arithmetic():
    """A date plus a number of days is a date; two dates subtract to a number of days."""
    assert ev("TODAY() + 1") == date(2026, 3, 15)
    assert ev("TODAY() - ConvertedDate", {"ConvertedDate": "2026-03-04"}) == 10
    assert ev("NOW() - MQL_Date__c", {"MQL_Date__c": "2026-03-13T15:09:26Z"}) == 1
    assert ev("MQL_Date__c < NOW() - 30", {"MQL_Date__c": datetime(2026, 1, 1, tzinfo=timezone.utc)}) is True
    assert ev("YEAR(TODAY()) * 10000 + MONTH(TODAY()) * 100 + DAY(TODAY())") == 20260314
    assert ev("DATE(2026, 2, 28) + 1") == date(2026, 3, 1)
    assert ev('DATEVALUE("2026-05-06")') == date(2026, 5, 6) and ev("DATEVALUE(NOW())") == date(2026, 3, 14)


# --- what the local org refuses -------------------------------------------------------------------------


def test_functions_salesforce_has_and_the_local_org_does_not_evaluate_are_named():
    with pytest.raises(FormulaError, match=r"does not evaluate the formula function ADDMONTHS\(\)"):
        ev("ADDMONTHS(TODAY(), 1)")


def test_unknown_functions_and_wrong_argument_counts_are_refused():
    with pytest.raises(FormulaError, match="Unknown function NOPE. Check spelling."):
        ev("NOPE(1)")
    with pytest.raises(FormulaError, match=r"Incorrect number of parameters for function 'IF\(\)'. Expected 3, received 2"):
        ev("IF(TRUE, 1)")


def test_unknown_fields_and_globals_are_refused():
    with pytest.raises(FormulaError, match="Field Nope__c does not exist"):
        ev("ISBLANK(Nope__c)")
    with pytest.raises(FormulaError, match=r"global variable \$User.Alias"):
        ev("$User.Alias = 'x'")
    assert ev("$User.Alias = 'x'", resources={"$User.Alias": "x"}) is True
    with pytest.raises(FormulaError, match="Field Missing does not exist"):
        ev("{!Missing}")


def test_relationships_are_read_from_nested_records():
    assert ev("Owner.Alias = 'jdoe'", {"Owner": {"Alias": "jdoe"}}) is True
    with pytest.raises(FormulaError, match="cannot follow the relationship Owner.Alias"):
        ev("Owner.Alias = 'jdoe'", {})


def test_evaluate_takes_a_parsed_tree_too():
    tree = parse('ISPICKVAL(Status, "New")')
    assert ev(tree, {"Status": "New"}) is True  # type: ignore[arg-type]


def test_percent_fields_are_fractions_in_formulas():
    """A percent field the API reads as 25 is 25%, 0.25 in a formula (`Discount__c > 0.2`)."""
    ctx = FormulaContext({"Discount__c": 25}, None, {"Discount__c": "Percent"})
    assert evaluate("Discount__c", ctx) == Decimal("0.25")
    assert evaluate("Discount__c > 0.2", ctx) is True
