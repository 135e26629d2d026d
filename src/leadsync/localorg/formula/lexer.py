"""Formula text -> tokens. Comments (`/* */`) and whitespace are dropped; positions are offsets.

String literals take `'` or `"` and Salesforce's escapes: `\\'`, `\\"`, `\\\\`, `\\n`, `\\r`, `\\t`.
`{!name}` (flow merge field) is one token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from leadsync.localorg.formula.errors import FormulaError
from leadsync.metadata.formula import StringLiteralError, parse_string_literal

_IDENT = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_]*(?:[.:][A-Za-z_$][A-Za-z0-9_]*)*")  # Owner:User.Name: polymorphic
_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)")
_DIGITS = frozenset("0123456789")
_OPERATORS = ("&&", "||", "==", "!=", "<>", "<=", ">=", "+", "-", "*", "/", "^", "&", "=", "<", ">", "!")


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "string", "ident", "merge", "op", "(", ")", ",", "end"
    text: str  # as written
    pos: int
    value: object = None  # Decimal for numbers, the unescaped str for strings, the name for merges


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise FormulaError("Syntax error. Missing '*/'", i)
            i = end + 2
        elif ch in "\"'":
            value, end = _string(text, i)
            tokens.append(Token("string", text[i:end], i, value))
            i = end
        elif text.startswith("{!", i):
            end = text.find("}", i + 2)
            if end < 0:
                raise FormulaError("Syntax error. Missing '}'", i)
            name = text[i + 2:end].strip()
            if not _IDENT.fullmatch(name):
                raise FormulaError(f"Syntax error. Found '{text[i:end + 1]}'", i)
            tokens.append(Token("merge", text[i:end + 1], i, name))
            i = end + 1
        elif ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            m = _NUMBER.match(text, i)
            tokens.append(Token("number", m.group(0), i, Decimal(m.group(0))))
            i = m.end()
        elif ch == "$" or ch.isalpha() or ch == "_":
            m = _IDENT.match(text, i)
            if m is None:
                raise FormulaError(f"Syntax error. Found '{ch}'", i)
            tokens.append(Token("ident", m.group(0), i))
            i = m.end()
        elif ch in "(),":
            tokens.append(Token(ch, ch, i))
            i += 1
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op is None:
                raise FormulaError(f"Syntax error. Found '{ch}'", i)
            tokens.append(Token("op", op, i))
            i += len(op)
    tokens.append(Token("end", "", n))
    return tokens


def _string(text: str, start: int) -> tuple[str, int]:
    """The literal read by metadata/formula.py (the same escapes leadsync renders), its errors worded
    as Salesforce words them."""
    try:
        return parse_string_literal(text, start)
    except StringLiteralError as err:
        if err.kind == "bad_escape":
            raise FormulaError(f"Syntax error. Invalid escape sequence '\\{err.escape}'", err.offset) from None
        raise FormulaError(f"Syntax error. Missing '{text[start]}'", start) from None
