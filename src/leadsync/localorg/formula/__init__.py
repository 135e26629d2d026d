"""The local org's Salesforce formula interpreter: validation rules and flow formulas.

    ast = parse(text)                        # FormulaError(message, position) on a syntax error
    value = evaluate(text_or_ast, ctx)       # str | Decimal | bool | date | datetime | None
    problems = check(text, fields, context)  # Salesforce's messages; [] when it would be accepted

What it supports and what not: docs/local-org.md, "Formulas".
"""

from leadsync.localorg.formula.check import check, problems
from leadsync.localorg.formula.errors import FormulaError
from leadsync.localorg.formula.evaluate import FormulaContext, evaluate
from leadsync.localorg.formula.parser import parse

__all__ = ["FormulaContext", "FormulaError", "check", "evaluate", "parse", "problems"]
