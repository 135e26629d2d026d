"""Parsing Salesforce formulas: literals, escapes, comments, operators, merge fields, syntax errors.

Operators and literals: Salesforce Help, "Formula Operators and Functions" (= and == are interchangeable,
<> and != too; && and || are alternatives to AND and OR; & concatenates). String escapes: Salesforce
formula text literals take \\' \\" \\\\ \\n \\r \\t (leadsync.metadata.formula writes them the same way).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from leadsync.localorg.formula import FormulaError, parse
from leadsync.localorg.formula.ast import Binary, Call, Literal, Ref, Unary


def test_literals_are_case_insensitive_keywords_numbers_and_text():
    assert parse("true") == Literal(0, True, "boolean")
    assert parse("False") == Literal(0, False, "boolean")
    assert parse("NULL") == Literal(0, None, "null")
    assert parse("12.50") == Literal(0, Decimal("12.50"), "number")
    assert parse(".5") == Literal(0, Decimal("0.5"), "number")
    assert parse("'single'") == Literal(0, "single", "text")


@pytest.mark.parametrize("source, value", [
    (r'"a\"b"', 'a"b'), (r"'it\'s'", "it's"), (r'"back\\slash"', "back\\slash"),
    (r'"line\nbreak"', "line\nbreak"), (r'"cr\r"', "cr\r"), (r'"tab\t"', "tab\t"), ('"it\'s"', "it's"),
])
def test_string_escapes_are_salesforces(source, value):
    assert parse(source).value == value


def test_a_bad_escape_is_a_syntax_error_at_the_backslash():
    with pytest.raises(FormulaError) as err:
        parse(r'"a\qb"')
    assert err.value.position == 2 and "escape" in err.value.message


def test_comments_are_ignored_anywhere():
    assert parse("/* lead */ ISNEW( /* no args */ ) /* end */") == Call(11, "ISNEW", (), "ISNEW")


def test_function_names_are_case_insensitive():
    assert parse("ispickval(Status, 'New')").name == "ISPICKVAL"


def test_operators_both_spellings_mean_the_same():
    assert parse("a == b").op == parse("a = b").op == "="
    assert parse("a != b").op == parse("a <> b").op == "<>"


def test_precedence_and_grouping():
    tree = parse("a || b && c = 1 + 2 * 3")
    assert isinstance(tree, Binary) and tree.op == "||"
    right = tree.right
    assert right.op == "&&" and right.right.op == "=" and right.right.right.op == "+"
    assert right.right.right.right.op == "*"
    assert parse("(1 + 2) * 3").op == "*"


def test_exponent_groups_left_and_unary_minus_binds_tighter():
    """formulon and sformula agree: 2 ^ 3 ^ 2 is 64 and -2 ^ 2 is 4."""
    tree = parse("2 ^ 3 ^ 2")
    assert tree.op == "^" and isinstance(tree.left, Binary)
    tree = parse("-2 ^ 2")
    assert tree.op == "^" and isinstance(tree.left, Unary)


def test_concatenation_and_not_operator():
    assert parse('"a" & b').op == "&"
    assert parse("!IsConverted") == Unary(0, "!", Ref(1, "IsConverted"))


def test_references_keep_their_dots_and_globals():
    assert parse("Owner.Name") == Ref(0, "Owner.Name")
    assert parse("$Permission.Bypass_Lifecycle") == Ref(0, "$Permission.Bypass_Lifecycle")


def test_flow_merge_fields():
    assert parse("{!$Record.Status}") == Ref(0, "$Record.Status", merge=True)
    assert parse("{!Stage_Rank} + 1").left == Ref(0, "Stage_Rank", merge=True)


@pytest.mark.parametrize("text, message, position", [
    ("IF(a, b, c", "Syntax error. Missing ')'", 2),
    ("AND(a, b))", "Syntax error. Extra ')'", 9),
    ("AND(a,, b)", "Syntax error. Extra ','", 6),
    ("AND(a, )", "Syntax error. Extra ','", 5),
    ("a b", "Syntax error. Found 'b'", 2),
    ("1 # 2", "Syntax error. Found '#'", 2),
    ('"open', "Syntax error. Missing '\"'", 0),
    ("/* never closed", "Syntax error. Missing '*/'", 0),
    ("{!$Record.Status", "Syntax error. Missing '}'", 0),
    ("1 +", "Syntax error. Missing operand at the end of the formula", 3),
    ("   ", "Syntax error. The formula is empty", 0),
])
def test_syntax_errors_name_what_is_wrong_and_where(text, message, position):
    with pytest.raises(FormulaError) as err:
        parse(text)
    assert (err.value.message, err.value.position) == (message, position)
    assert str(err.value) == message


def test_polymorphic_relationships_parse():
    """`Owner:User.LastName` (a real org's validation rule in ../shared/corpus) names the owner when it is a user."""
    assert parse('Owner:User.LastName <> "x"').left == Ref(0, "Owner:User.LastName")
