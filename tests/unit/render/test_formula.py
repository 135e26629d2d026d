"""metadata/formula.py: string literals for Salesforce formulas, and the expressions built from them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadsync.metadata import formula as fx


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("Unqualified", '"Unqualified"'),
        ('Say "hi"', r'"Say \"hi\""'),
        ("back\\slash", r'"back\\slash"'),
        ("two\nlines\r\tend", r'"two\nlines\r\tend"'),
        ("O'Brien & <Co>", '"O\'Brien & <Co>"'),  # XML escaping is the templates' job, not this one's
        ("Präqualifiziert ✓", '"Präqualifiziert ✓"'),
        ("", '""'),
    ],
)
def test_string_literal_escapes_quote_backslash_and_line_breaks(value, literal):
    assert fx.string_literal(value) == literal


@given(st.text())
def test_string_literal_round_trips(value):
    literal = fx.string_literal(value)
    assert fx.parse_string_literal(literal) == (value, len(literal))
    assert "\n" not in literal and "\r" not in literal


def test_parse_string_literal_reads_single_quotes_and_stops_at_the_closing_quote():
    assert fx.parse_string_literal("X('it\\'s', 1)", 2) == ("it's", 9)
    with pytest.raises(ValueError):
        fx.parse_string_literal('"open')
    with pytest.raises(ValueError):
        fx.parse_string_literal(r'"bad \q"')


def test_flow_literal_never_contains_a_merge_field():
    assert fx.flow_string_literal("plain") == '"plain"'
    literal = fx.flow_string_literal('a{!b} "c" {!d')
    assert "{!" not in literal
    assert literal == r'"a{" & "!b} \"c\" {" & "!d"'


@given(st.text(alphabet=st.sampled_from(list('ab{!}"\\'))))
def test_flow_literal_concatenates_back_to_the_value(value):
    literal = fx.flow_string_literal(value)
    assert "{!" not in literal
    parts, i = [], 0
    while i < len(literal):
        part, i = fx.parse_string_literal(literal, i)
        parts.append(part)
        if i < len(literal):
            assert literal[i : i + 3] == " & "
            i += 3
    assert "".join(parts) == value


def test_case_rank_numbers_values_from_one_and_unknown_is_zero():
    assert fx.case_rank("TEXT(S__c)", ["A", 'B"']) == r'CASE(TEXT(S__c), "A", 1, "B\"", 2, 0)'


def test_any_pickval():
    assert fx.any_pickval("Status", ["Unqualified", "Bad"]) == (
        'OR(ISPICKVAL(Status, "Unqualified"), ISPICKVAL(Status, "Bad"))'
    )
    assert fx.merge_field("$Record.Status") == "{!$Record.Status}"
