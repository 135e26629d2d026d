"""Bad input never crashes the interpreter: any text parses or raises FormulaError; check() answers
with messages; evaluate() answers a value or FormulaError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadsync.localorg.formula import FormulaContext, FormulaError, check, evaluate, parse

FIELDS = {"Status": "Picklist", "Company": "Text", "AnnualRevenue": "Currency", "IsConverted": "Checkbox",
          "MQL_Date__c": "DateTime"}
PIECES = ["AND(", "OR(", "NOT(", "IF(", "CASE(", "ISPICKVAL(", "TEXT(", "ISBLANK(", "ISNULL(", "ISCHANGED(",
          "PRIORVALUE(", "LEN(", "CONTAINS(", "VALUE(", "NOW()", "TODAY()", "ISNEW()", "BLANKVALUE(", "FOO(",
          "Status", "Company", "AnnualRevenue", "IsConverted", "MQL_Date__c", "Nope__c", "$Permission.X",
          "{!$Record.Status}", "{!res}", '"a"', "'b\\''", "1", "2.5", "0", "TRUE", "NULL", ",", ")", "(",
          " + ", " - ", " * ", " / ", " ^ ", " & ", " = ", " <> ", " < ", " >= ", " && ", " || ", "!", "/* c */"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_formula_like_text_never_crashes(pieces):
    text = "".join(pieces)
    for context in ("validation", "flow"):
        assert all(isinstance(m, str) for m in check(text, FIELDS, context, {"res"}))
    try:
        tree = parse(text)
    except FormulaError:
        return
    ctx = FormulaContext({"Status": "New", "Company": "Acme", "AnnualRevenue": 5}, {"Status": "Old"}, FIELDS,
                         resources={"res": "r"})
    try:
        evaluate(tree, ctx)
    except FormulaError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text_never_crashes(text):
    assert all(isinstance(m, str) for m in check(text, FIELDS))


def test_values_of_the_wrong_kind_and_overflows_are_formula_errors():
    ctx = FormulaContext({"AnnualRevenue": "abc", "MQL_Date__c": "yesterday"}, None, FIELDS)
    for formula, message in [
        ("AnnualRevenue + 1", "Field AnnualRevenue holds 'abc', which is not a Number value"),
        ("MQL_Date__c < NOW()", "Field MQL_Date__c holds 'yesterday', which is not a Date/Time value"),
        ("10 ^ 10000000", "cannot be evaluated"),
        ('REGEX("a", "(")', "cannot be evaluated"),
    ]:
        try:
            evaluate(formula, ctx)
        except FormulaError as err:
            assert message in err.message, (formula, err.message)
        else:
            raise AssertionError(formula)


def test_deep_nesting_parses_or_is_refused_cleanly():
    assert evaluate("(" * 150 + "1" + ")" * 150, FormulaContext({})) == 1
    assert evaluate("NOT(" * 100 + "TRUE" + ")" * 100, FormulaContext({})) is True
    assert check("(" * 1900 + "1" + ")" * 1900, FIELDS) == ["Syntax error. The formula is nested too deeply"]
    assert check("(" * 5000 + "1" + ")" * 5000, FIELDS) == [
        "Formula is too long (10,001 characters). Maximum length is 3,900 characters."]
