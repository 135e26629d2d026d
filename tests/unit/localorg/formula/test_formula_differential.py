"""The interpreter against two third-party reimplementations of Salesforce formulas (formulon and
sformula, installed by ../shared/checks/setup): on expressions where both agree, it must agree too.
Skips when they are not installed (see tests/checkers.py)."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from leadsync.localorg.formula import FormulaContext, check, evaluate

pytestmark = pytest.mark.shared

FORMULAS = [
    "AND(TRUE, NOT(FALSE), OR(FALSE, TRUE))",
    "TRUE && FALSE || !FALSE",
    'IF(1 + 2 * 3 = 7, "yes", "no")',
    "2 ^ 3 ^ 2",
    "-2 ^ 2",
    "10 / 4",
    "MOD(-7, 3)",
    "ROUND(-2.5, 0) + ROUND(2.45, 1)",
    "FLOOR(2.7) + CEILING(2.1) + ABS(-3)",
    "MAX(1, 5, 3) - MIN(4, 2)",
    "FLOOR(-2.5) * 10 + CEILING(-2.5)",
    "0 ^ 0 + 2 ^ -1",
    "TEXT(-3 * 0)",
    "MOD(7, -2)",
    "TEXT(1.50)",
    'LEN("Salesforce")',
    'CONTAINS("Acme Inc", "Inc")',
    'CONTAINS("Acme Inc", "inc")',
    'BEGINS("Acme", "ac")',
    'CASE("MQL", "Lead", 1, "MQL", 2, 0)',
    'VALUE("1.5") * 2',
    'LEFT("Salesforce", 5) & RIGHT("abc", 2) & MID("Salesforce", 2, 3)',
    'SUBSTITUTE("a-b-c", "-", "+")',
    '"a" + "b"',
    'UPPER("ab") & LOWER("CD") & TRIM("  e  ")',
    'BLANKVALUE("", "x")',
    'ISBLANK("") && NOT(ISBLANK(" "))',
    '1 <> 2 && 1 != 2 && 2 == 2 && 3 >= 3 && 2 <= 3',
    'ISPICKVAL(Stage__c, "MQL")',
    'ISPICKVAL(Stage__c, "Lead")',
    'TEXT(Stage__c) & "!"',
    'CASE(Stage__c, "Lead", 1, "MQL", 2, 0)',
    "TEXT(DATE(2026, 2, 28) + 1)",
    "DAY(DATE(2026, 3, 14)) + MONTH(DATE(2026, 3, 14)) * 100",
    "DATE(2026, 3, 14) - DATE(2026, 3, 1)",
]
# Formulas formulon refuses (its messages differ from Salesforce's in type names): check() refuses them too.
REFUSED = [
    "IF(TRUE, 1)", "NOT(TRUE, FALSE)", "FOO(1)", 'AND(TRUE, "x")', '1 = "x"', '"a" & 1', 'TEXT("a")',
    'ISPICKVAL("a", "b")', "ISBLANK(Stage__c)", 'Stage__c = "MQL"', "LEN(1)", 'CONTAINS(1, "a")', "AND(TRUE",
    "1 +", "TRUE && 1", 'TODAY() + "1"', "MOD(1)", "ISPICKVAL(Stage__c, 1)", 'CASE(Stage__c, "MQL", TRUE, FALSE)',
    "OR()", "NOW() > TODAY()", '"a" < "b"',
]
RECORD = {"Stage__c": "MQL"}
PICKLISTS = {"Stage__c": ["Lead", "MQL", "SQL"]}


def normal(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).normalize()
    return value


def test_agrees_with_formulon_and_sformula(checkers):
    script = Path(__file__).with_name("formula_engines.js")
    job = json.dumps({"formulas": FORMULAS, "picklists": PICKLISTS, "record": RECORD})
    done = subprocess.run(["node", str(script)], input=job, env=checkers.env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    ctx = FormulaContext(record=RECORD, field_types={"Stage__c": "Picklist"})
    compared, disagreements = 0, []
    for formula, row in zip(FORMULAS, rows):
        theirs = {normal(row["formulon"]) if not isinstance(row["formulon"], dict) else "error",
                  normal(row["sformula"]) if not isinstance(row["sformula"], dict) else "error"}
        if len(theirs) != 1 or "error" in theirs:
            disagreements.append((formula, row))
            continue
        assert normal(evaluate(formula, ctx)) == theirs.pop(), (formula, row)
        compared += 1
    assert not disagreements, f"pick expressions both engines evaluate alike: {disagreements}"
    assert compared == len(FORMULAS)


def test_refuses_what_formulon_refuses(checkers):
    script = Path(__file__).with_name("formula_engines.js")
    job = json.dumps({"formulas": REFUSED, "picklists": PICKLISTS, "record": RECORD})
    done = subprocess.run(["node", str(script)], input=job, env=checkers.env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    for formula, row in zip(REFUSED, json.loads(done.stdout)):
        assert isinstance(row["formulon"], dict), (formula, row)  # formulon refuses it
        assert check(formula, {"Stage__c": "Picklist"}, result_type="any"), formula


def _generated(count: int, seed: int = 8) -> list[str]:
    """Well-typed random formulas over numbers, text, booleans and a picklist."""
    import random

    rnd = random.Random(seed)

    def num(d):
        if d > 3 or rnd.random() < 0.3:
            return rnd.choice(["1", "2.5", "0", "7", "-3", "10", "0.1"])
        return rnd.choice([
            lambda: f"({num(d + 1)} {rnd.choice('+-*')} {num(d + 1)})", lambda: f"LEN({txt(d + 1)})",
            lambda: f"ABS({num(d + 1)})", lambda: f"MAX({num(d + 1)}, {num(d + 1)})",
            lambda: f"ROUND({num(d + 1)}, {rnd.choice('012')})", lambda: f"FLOOR({num(d + 1)})",
            lambda: f"CEILING({num(d + 1)})", lambda: f"MOD({num(d + 1)}, {rnd.choice(['3', '7', '-2'])})",
            lambda: f"IF({boo(d + 1)}, {num(d + 1)}, {num(d + 1)})",
            lambda: f'CASE(Stage__c, "Lead", {num(d + 1)}, "MQL", {num(d + 1)}, {num(d + 1)})',
            lambda: f"({num(d + 1)} ^ {rnd.choice('0123')})",
        ])()

    def txt(d):
        if d > 3 or rnd.random() < 0.3:
            return rnd.choice(['"a"', '"MQL"', '"Acme Inc"', '"AbC"'])
        return rnd.choice([
            lambda: f"({txt(d + 1)} & {txt(d + 1)})", lambda: f"TEXT({num(d + 1)})", lambda: "TEXT(Stage__c)",
            lambda: f"UPPER({txt(d + 1)})", lambda: f"LEFT({txt(d + 1)}, {rnd.randint(1, 4)})",
            lambda: f"MID({txt(d + 1)}, {rnd.randint(1, 3)}, {rnd.randint(1, 3)})",
            lambda: f'SUBSTITUTE({txt(d + 1)}, "a", "z")', lambda: f"IF({boo(d + 1)}, {txt(d + 1)}, {txt(d + 1)})",
        ])()

    def boo(d):
        if d > 3 or rnd.random() < 0.2:
            return rnd.choice(["TRUE", "FALSE"])
        return rnd.choice([
            lambda: f"AND({boo(d + 1)}, {boo(d + 1)})", lambda: f"OR({boo(d + 1)}, {boo(d + 1)})",
            lambda: f"NOT({boo(d + 1)})", lambda: f"({boo(d + 1)} && {boo(d + 1)})", lambda: f"!{boo(d + 1)}",
            lambda: f"({num(d + 1)} {rnd.choice(['=', '<>', '<', '>', '<=', '>='])} {num(d + 1)})",
            lambda: f"({txt(d + 1)} {rnd.choice(['=', '<>'])} {txt(d + 1)})",
            lambda: f"CONTAINS({txt(d + 1)}, {txt(d + 1)})", lambda: f"BEGINS({txt(d + 1)}, {txt(d + 1)})",
            lambda: f'ISPICKVAL(Stage__c, "{rnd.choice(["MQL", "Lead"])}")',
        ])()

    return sorted({rnd.choice([num, txt, boo])(0) for _ in range(count)})


def test_generated_formulas_agree_where_formulon_and_sformula_agree(checkers):
    formulas = _generated(600)
    script = Path(__file__).with_name("formula_engines.js")
    job = json.dumps({"formulas": formulas, "picklists": PICKLISTS, "record": RECORD})
    done = subprocess.run(["node", str(script)], input=job, env=checkers.env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    ctx = FormulaContext(record=RECORD, field_types={"Stage__c": "Picklist"})
    compared = 0
    for formula, row in zip(formulas, json.loads(done.stdout)):
        assert check(formula, {"Stage__c": "Picklist"}, result_type="any") == [], formula
        theirs = [row["formulon"], row["sformula"]]
        if any(isinstance(t, dict) for t in theirs) or normal(theirs[0]) != normal(theirs[1]):
            continue  # an error, or the engines disagree (formulon's RIGHT, sformula's blank text)
        assert normal(evaluate(formula, ctx)) == normal(theirs[0]), (formula, row)
        compared += 1
    assert compared > len(formulas) * 0.7
